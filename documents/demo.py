def seed_demo_documents() -> int:
    return 0
