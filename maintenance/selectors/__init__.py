"""Reads of the maintenance app that cross relations, one module per part."""
