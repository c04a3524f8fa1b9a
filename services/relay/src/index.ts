// vegvision relay service
