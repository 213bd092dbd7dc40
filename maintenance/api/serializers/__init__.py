"""Serializers (shape only; the services check the rules), one module per part."""
