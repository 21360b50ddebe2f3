"""The mapping: ``mvp.yaml``, read, validated and written back."""

from mvpgen.mapping.schema import (
    EDA_MODES,
    MAPPING_FILE,
    Business,
    Costs,
    Data,
    Humans,
    Mapping,
    MappingError,
    Project,
    Settings,
    Technical,
    dump_mapping,
    find_mapping_file,
    load_mapping,
    mapping_to_dict,
    parse_mapping,
    read_yaml,
)
from mvpgen.mapping.typed import Problem

__all__ = ["EDA_MODES", "MAPPING_FILE", "Business", "Costs", "Data", "Humans", "Mapping",
           "MappingError", "Problem", "Project", "Settings", "Technical", "dump_mapping",
           "find_mapping_file", "load_mapping", "mapping_to_dict", "parse_mapping", "read_yaml"]
