"""Weighted draws: the demo picks places, brands and categories by their share of the city."""

import random
from bisect import bisect
from collections.abc import Sequence
from itertools import accumulate


class Weighted:
    """Items with weights, picked with one draw of the generator whatever the list holds."""

    def __init__(self, items: Sequence, weights: Sequence[float]):
        self.items = list(items)
        self.cumulative = list(accumulate(weights))
        self.total = self.cumulative[-1] if self.cumulative else 0.0

    @classmethod
    def of(cls, mapping: dict) -> "Weighted":
        return cls(list(mapping), list(mapping.values()))

    def pick(self, rng: random.Random):
        return self.at(rng.random())

    def at(self, draw: float):
        """The item a draw in [0, 1) falls on; None when there are no items."""
        if not self.items:
            return None
        return self.items[min(bisect(self.cumulative, draw * self.total), len(self.items) - 1)]
