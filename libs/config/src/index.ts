// Configuration schema shared by every mode
