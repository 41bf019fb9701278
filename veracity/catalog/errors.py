from veracity.core.errors import ValidationFailed


class SkuTaken(ValidationFailed):
    code = "sku_taken"

    def __init__(self, sku: str):
        super().__init__({"sku": [f"SKU {sku!r} is already used by another product."]}, code=self.code)
