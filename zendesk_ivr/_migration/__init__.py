"""Moving IVR trees between accounts: desired state, the plan of steps, the journal, applying."""
