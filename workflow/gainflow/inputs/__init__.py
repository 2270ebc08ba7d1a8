"""User inputs -> checked data: topology CSV files and SCALE-Sim hardware configs."""
