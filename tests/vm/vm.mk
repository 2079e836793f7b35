check-vm:
demo:
.PHONY: check-vm demo
