"""The desktop window. The only package that imports Qt; it calls services and shows records."""
