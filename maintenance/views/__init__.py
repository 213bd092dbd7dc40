"""Pages (thin: they call services and selectors), one module per part."""
