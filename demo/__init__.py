"""The deterministic demo city (`manage.py seed_demo`): generators only.

One step per app, in order — `accounts` (organisations, contacts, logins), `registry` (elevators,
inspections, timelines), `insurance` (products, policies, claims) — each writing through the
owning app's services or their bulk paths, so the demo can never hold what the rules forbid.
No domain app imports this one.
"""
