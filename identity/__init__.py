"""identity: source records, contact points, match-and-merge into customers with stable ids."""
