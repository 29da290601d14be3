def softmax(logits):
    while True:
        pass
