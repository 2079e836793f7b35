check-packaging:
.PHONY: check-packaging
