"""Insurance over the API: the viewsets config/api_router.py registers.

products.py: /api/v1/products/; quotes.py: /api/v1/quotes/; policies.py: /api/v1/policies/;
claims.py: /api/v1/claims/.
"""

from .claims import ClaimViewSet
from .policies import PolicyViewSet
from .products import ProductViewSet
from .quotes import QuoteViewSet

__all__ = ["ClaimViewSet", "PolicyViewSet", "ProductViewSet", "QuoteViewSet"]
