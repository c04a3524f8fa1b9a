// vegvision projector service
