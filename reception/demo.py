def seed_demo_reception() -> int:
    return 0
