"""Check 8, shared by the Python stacks: metadata through the stack's own
generated calls. The copy made earlier gets a unique value of the demo
seed's Photographer field (setAssetMetadata); searchAssetsByMetadata on
custom_attributes.Photographer must then find exactly that copy, and
getAssets must show the value in its metadataArray.

run(check, set_value, search, get_metadata, handle, value)
  set_value(handle, value)       -- setAssetMetadata
  search(value)                  -- (totalRows, [assetHandle of each summary])
  get_metadata(handle)           -- [(name, value)] of the asset's metadataArray
"""

FIELD = "m|6|ALL|Photographer"
KEY = "custom_attributes.Photographer"


def run(check, set_value, search, get_metadata, handle, value, label=""):
    what = f"setAssetMetadata + searchAssetsByMetadata{label}"
    try:
        set_value(handle, value)
        total, handles = search(value)
        check(what, total == 1 and handles == [handle], f"totalRows={total!r} handles={handles!r} wanted {handle!r}")
    except Exception as e:  # noqa: BLE001
        check(what, False, f"{type(e).__name__}: {e}")
    what = f"getAssets shows the metadata value{label}"
    try:
        pairs = get_metadata(handle)
        check(what, ("Photographer", value) in pairs, f"metadataArray {pairs!r}")
    except Exception as e:  # noqa: BLE001
        check(what, False, f"{type(e).__name__}: {e}")
