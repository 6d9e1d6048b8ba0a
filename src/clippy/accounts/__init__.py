"""Users, passwords, tokens, API keys, teams, plans and quotas."""
