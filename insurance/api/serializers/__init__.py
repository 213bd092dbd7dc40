"""Products, quotes, policies and claims over the API: shapes only. Rules live in insurance.services
(claims: insurance.services.claims).

Callers name things the way their own systems know them: products by code (an insurer's own code
when the caller is an insurer), policyholders by Unified Social Credit Code or exact name, elevators
by special-equipment code. Serializers turn those into rows (or a 400 naming what is unknown); the
services decide whether the write is allowed.

products.py: products and their terms; references.py: resolving what callers name; quotes.py:
quotes; policies.py: policies, their covers, single and bulk registration, renew and cancel;
claims.py: claims, their payments and status changes, single and bulk reports. Callers import from
the module.
"""
