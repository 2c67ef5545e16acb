"""Factory fixtures of the votes feature, and its samples for the route × role walk."""

# URL variable → function(world) returning a value for a record of world.community
# (see tests/test_access.py).
ROUTE_SAMPLES: dict = {}
