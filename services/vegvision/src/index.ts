// vegvision CLI: serve, import, label, projections rebuild
