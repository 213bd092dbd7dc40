"""Viewsets, one module per part."""
