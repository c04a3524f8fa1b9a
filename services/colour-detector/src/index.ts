// vegvision colour-detector service
