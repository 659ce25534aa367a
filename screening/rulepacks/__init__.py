"""Rule packs: the YAML schema, loading and whole-pack validation (rules/README.md)."""

from screening.rulepacks.load import RulePack, check_pack, load_pack, load_packs, pack_files, rules_of

__all__ = ["RulePack", "check_pack", "load_pack", "load_packs", "pack_files", "rules_of"]
