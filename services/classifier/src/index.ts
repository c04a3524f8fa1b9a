// vegvision classifier service
