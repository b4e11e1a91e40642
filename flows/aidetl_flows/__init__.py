"""Prefect flows: thin adapters that sequence aidetl's library stages as tasks."""
