print("betavae")
