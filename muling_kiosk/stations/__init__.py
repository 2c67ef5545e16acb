"""Station tablets: a device an admin enrolled as a community's shared tablet."""
