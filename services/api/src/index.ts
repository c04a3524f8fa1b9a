// vegvision api service
