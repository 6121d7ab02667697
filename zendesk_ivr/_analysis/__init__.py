"""Reading a whole IVR tree for people: the audit's rules and the call-flow graphs."""
