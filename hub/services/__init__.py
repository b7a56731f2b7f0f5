"""The hub's services: rules and permission checks. `hub.bootstrap` builds them on the ports."""
