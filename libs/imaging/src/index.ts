// Image decoding, validation and model preprocessing with sharp
