"""CPNS selection (BKN rules, 2024): formations, applications, scores, ranking, appeals, NIPs."""
