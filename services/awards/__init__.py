"""Awards service: Sofifi Berprestasi and Satyalancana Karya Satya, within budget and quota."""
