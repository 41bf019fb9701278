"""Veracity: a self-hosted CRM that keeps sales data accurate, analysed and safe."""

__version__ = "0.1.0"
