"""The four agent kinds: residents, party members, units, officials."""
