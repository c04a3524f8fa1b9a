"""The class list. The index of a name is the index of its logit; never reorder."""

CLASSES: tuple[str, ...] = (
    "Bean",
    "Bitter_Gourd",
    "Bottle_Gourd",
    "Brinjal",
    "Broccoli",
    "Cabbage",
    "Capsicum",
    "Carrot",
    "Cauliflower",
    "Cucumber",
    "Papaya",
    "Potato",
    "Pumpkin",
    "Radish",
    "Tomato",
)

NUM_CLASSES = len(CLASSES)
CLASS_TO_INDEX = {name: i for i, name in enumerate(CLASSES)}
