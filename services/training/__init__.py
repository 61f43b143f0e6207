"""Training service: competency development, the JP ledger and Latsar (PP 11/2017, PP 17/2020)."""
