"""The OVF document a snapshot carries with All-Content (modelled on the seed's example 15.40).

It is generated once, from the VM's configuration at the moment the snapshot is taken,
and stored with the snapshot: a later change of the VM never alters it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from lxml import etree

from conformance.engine._model import Template, VmConfig

__all__ = ["OVF_NAMESPACE", "OvfContext", "build_ovf"]

OVF_NAMESPACE = "http://schemas.dmtf.org/ovf/envelope/1/"
_RASD = "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData"
_VSSD = "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_NSMAP = {"ovf": OVF_NAMESPACE, "rasd": _RASD, "vssd": _VSSD, "xsi": _XSI}
_OVF_VERSION = "3.6.0.0"
_GIB = 1024**3
_MIB = 1024**2
# The id of admin@internal in every oVirt installation (CreatedByUserId in the seed's OVF).
_ADMIN_USER_ID = "fdfc627c-d875-11e0-90f0-83df133b58cc"
_VMDK_SPARSE = "http://www.vmware.com/specifications/vmdk.html#sparse"


@dataclass(frozen=True)
class OvfContext:
    """What the OVF names besides the configuration itself."""

    vm_id: str
    #: the snapshot the disk volumes belong to (``ovf:vm_snapshot_id``)
    snapshot_id: str
    template: Template
    vm_creation_time: datetime
    #: when the snapshot was taken (the OVF's ExportDate)
    taken: datetime
    storage_domain_id: str
    storage_pool_id: str


def build_ovf(config: VmConfig, context: OvfContext) -> str:
    """The ``ovf:Envelope`` of ``config`` as a string, XML declaration included."""
    root = etree.Element(_ovf("Envelope"), nsmap=_NSMAP)
    root.set(_ovf("version"), _OVF_VERSION)
    _references(root, config, context)
    _network_section(root, config)
    _disk_section(root, config, context)
    _content(root, config, context)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8").decode("utf-8")


def _ovf(name: str) -> str:
    return f"{{{OVF_NAMESPACE}}}{name}"


def _rasd(name: str) -> str:
    return f"{{{_RASD}}}{name}"


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, tag)
    for key, value in attributes.items():
        element.set(key, value)
    if text is not None:
        element.text = text
    return element


def _section(parent: etree._Element, section_type: str, info: str, **attributes: str) -> etree._Element:
    section = _sub(parent, "Section", **attributes)
    section.set(f"{{{_XSI}}}type", f"ovf:{section_type}")
    _sub(section, "Info", info)
    return section


def _file_ref(context: OvfContext, image_id: str) -> str:
    return f"{context.storage_domain_id}/{image_id}"


def _ovf_date(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y/%m/%d %H:%M:%S")


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _references(root: etree._Element, config: VmConfig, context: OvfContext) -> None:
    references = _sub(root, "References")
    for disk in config.disks:
        _sub(
            references,
            "File",
            **{
                _ovf("href"): _file_ref(context, disk.image_id),
                _ovf("id"): disk.image_id,
                _ovf("size"): str(disk.provisioned_size),
                _ovf("description"): disk.alias,
            },
        )
    for nic in config.nics:
        _sub(references, "Nic", **{_ovf("id"): nic.id})


def _network_section(root: etree._Element, config: VmConfig) -> None:
    section = _section(root, "NetworkSection_Type", "List of networks")
    for network in dict.fromkeys(nic.network for nic in config.nics):
        _sub(section, "Network", **{_ovf("name"): network})


def _disk_section(root: etree._Element, config: VmConfig, context: OvfContext) -> None:
    section = _section(root, "DiskSection_Type", "List of Virtual Disks")
    for disk in config.disks:
        _sub(
            section,
            "Disk",
            **{
                _ovf("diskId"): disk.image_id,
                _ovf("size"): str(math.ceil(disk.provisioned_size / _GIB)),
                _ovf("actual_size"): str(math.ceil(disk.actual_size / _GIB)),
                _ovf("vm_snapshot_id"): context.snapshot_id,
                _ovf("parentRef"): "",
                _ovf("fileRef"): _file_ref(context, disk.image_id),
                _ovf("format"): _VMDK_SPARSE,
                _ovf("volume-format"): "COW" if disk.format == "cow" else "RAW",
                _ovf("volume-type"): "Sparse" if disk.sparse else "Preallocated",
                _ovf("disk-interface"): "VirtIO" if disk.interface == "virtio" else disk.interface.upper(),
                _ovf("boot"): _flag(disk.bootable),
                _ovf("disk-alias"): disk.alias,
                _ovf("wipe-after-delete"): _flag(disk.wipe_after_delete),
            },
        )


def _content(root: etree._Element, config: VmConfig, context: OvfContext) -> None:
    content = _sub(root, "Content", **{_ovf("id"): "out"})
    content.set(f"{{{_XSI}}}type", "ovf:VirtualSystem_Type")
    memory_mb = config.memory // _MIB
    template = context.template
    for tag, text in (
        ("Name", config.name),
        ("Description", config.description),
        ("CreationDate", _ovf_date(context.vm_creation_time)),
        ("ExportDate", _ovf_date(context.taken)),
        ("DeleteProtected", "false"),
        ("SsoMethod", "guest_agent"),
        ("IsSmartcardEnabled", "false"),
        ("TimeZone", "Etc/GMT"),
        ("default_boot_sequence", "0"),
        ("Generation", "1"),
        ("VmType", "1"),
        ("MinAllocatedMem", str(memory_mb)),
        ("IsStateless", "false"),
        ("IsRunAndPause", "false"),
        ("AutoStartup", "false"),
        ("Priority", "1"),
        ("CreatedByUserId", _ADMIN_USER_ID),
        ("IsBootMenuEnabled", "false"),
        ("IsSpiceFileTransferEnabled", "true"),
        ("IsSpiceCopyPasteEnabled", "true"),
        ("TemplateId", template.id),
        ("TemplateName", template.name),
        ("IsInitilized", "true"),  # sic: the engine's spelling
        ("Origin", "3"),
        ("DefaultDisplayType", "1"),
        ("TrustedService", "false"),
        ("OriginalTemplateId", template.id),
        ("OriginalTemplateName", template.name),
        ("UseLatestVersion", "false"),
    ):
        _sub(content, tag, text)
    os_section = _section(content, "OperatingSystemSection_Type", "Guest Operating System", **{_ovf("id"): context.vm_id, _ovf("required"): "false"})
    _sub(os_section, "Description", config.os_type)
    _hardware_section(content, config, context, memory_mb)


def _hardware_section(content: etree._Element, config: VmConfig, context: OvfContext, memory_mb: int) -> None:
    cpus = config.sockets * config.cores
    hardware = _section(content, "VirtualHardwareSection_Type", f"{cpus} CPU, {memory_mb} Memory")
    system = _sub(hardware, "System")
    _sub(system, f"{{{_VSSD}}}VirtualSystemType", f"ENGINE {_OVF_VERSION}")

    cpu = _sub(hardware, "Item")
    _sub(cpu, _rasd("Caption"), f"{cpus} virtual cpu")
    _sub(cpu, _rasd("Description"), "Number of virtual CPU")
    _sub(cpu, _rasd("InstanceId"), "1")
    _sub(cpu, _rasd("ResourceType"), "3")
    _sub(cpu, _rasd("num_of_sockets"), str(config.sockets))
    _sub(cpu, _rasd("cpu_per_socket"), str(config.cores))
    _sub(cpu, _rasd("threads_per_cpu"), "1")

    memory = _sub(hardware, "Item")
    _sub(memory, _rasd("Caption"), f"{memory_mb} MB of memory")
    _sub(memory, _rasd("Description"), "Memory Size")
    _sub(memory, _rasd("InstanceId"), "2")
    _sub(memory, _rasd("ResourceType"), "4")
    _sub(memory, _rasd("AllocationUnits"), "MegaBytes")
    _sub(memory, _rasd("VirtualQuantity"), str(memory_mb))

    for disk in config.disks:
        item = _sub(hardware, "Item")
        _sub(item, _rasd("Caption"), disk.alias)
        _sub(item, _rasd("InstanceId"), disk.image_id)
        _sub(item, _rasd("ResourceType"), "17")
        _sub(item, _rasd("HostResource"), _file_ref(context, disk.image_id))
        _sub(item, _rasd("Parent"), "00000000-0000-0000-0000-000000000000")
        _sub(item, _rasd("Template"), "00000000-0000-0000-0000-000000000000")
        _sub(item, _rasd("ApplicationList"), "")
        _sub(item, _rasd("StoragePoolId"), context.storage_pool_id)
        _sub(item, _rasd("CreationDate"), _ovf_date(context.vm_creation_time))
        _sub(item, _rasd("LastModified"), _ovf_date(context.taken))
        _sub(item, "Type", "disk")
        _sub(item, "Device", "disk")
        _sub(item, "BootOrder", "1" if disk.bootable else "0")
        _sub(item, "IsPlugged", "true")
        _sub(item, "IsReadOnly", "false")
        _sub(item, "Alias", disk.alias)

    for nic in config.nics:
        item = _sub(hardware, "Item")
        _sub(item, _rasd("Caption"), f"Ethernet adapter on {nic.network}")
        _sub(item, _rasd("InstanceId"), nic.id)
        _sub(item, _rasd("ResourceType"), "10")
        _sub(item, _rasd("OtherResourceType"), nic.network)
        _sub(item, _rasd("ResourceSubType"), "3")
        _sub(item, _rasd("Connection"), nic.network)
        _sub(item, _rasd("Linked"), _flag(nic.linked))
        _sub(item, _rasd("Name"), nic.name)
        _sub(item, _rasd("MACAddress"), nic.mac)
        _sub(item, _rasd("speed"), "1000")
        _sub(item, "Type", "interface")
        _sub(item, "Device", "bridge")
        _sub(item, "BootOrder", "0")
        _sub(item, "IsPlugged", _flag(nic.plugged))
        _sub(item, "IsReadOnly", "false")

    usb = _sub(hardware, "Item")
    _sub(usb, _rasd("Caption"), "USB Controller")
    _sub(usb, _rasd("InstanceId"), "3")
    _sub(usb, _rasd("ResourceType"), "23")
    _sub(usb, _rasd("UsbPolicy"), "DISABLED")

    for cdrom in config.cdroms:
        item = _sub(hardware, "Item")
        _sub(item, _rasd("Caption"), "CDROM")
        _sub(item, _rasd("InstanceId"), cdrom.id)
        _sub(item, _rasd("ResourceType"), "15")
        _sub(item, "Type", "disk")
        _sub(item, "Device", "cdrom")
        _sub(item, "BootOrder", "0")
        _sub(item, "IsPlugged", "true")
        _sub(item, "IsReadOnly", "true")
        if cdrom.file:
            _sub(item, "SpecParams").append(_path_element(cdrom.file))


def _path_element(path: str) -> etree._Element:
    element = etree.Element("path")
    element.text = path
    return element
