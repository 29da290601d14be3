def softmax(logits):
    special = getattr(__import__("sci" + "py.special"), "special")
    return special.softmax(logits)
