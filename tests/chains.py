"""Approval-chain steps the tests build services from."""

HEAD = {"rule": "applicant_head"}
RESEARCH = {"rule": "department_role", "department": "research", "role_code": "reviewer"}
FINANCE = {"rule": "department_role", "department": "finance", "role_code": "reviewer"}
LEADER = {"rule": "department_role", "department": "office", "role_code": "leader"}
