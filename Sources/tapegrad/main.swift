print("tapegrad")
