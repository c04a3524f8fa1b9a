// Command handlers and consumers (classifier, colour detector, projector)
