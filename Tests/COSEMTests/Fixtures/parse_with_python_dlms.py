#!/usr/bin/env python3
"""Decodes DLMS/COSEM APDUs with two independent Python libraries, for InteroperabilityTests.swift.

Usage: parse_with_python_dlms.py HEX [HEX ...]   (or one hex APDU a line on stdin)

For every APDU it prints one JSON object on one line:

    {"hex": "...", "gurux": {...}, "dlms_cosem": {...}}

where each library's object holds what that library decoded, or {"error": "..."} if it could not parse the
APDU at all. Only the libraries' own decoders interpret bytes here; this script just calls them and turns
their results into one normalised JSON form:

* data-notification: "apdu", the invoke id (gurux: the raw 32-bit long-invoke-id-and-priority; dlms-cosem:
  the 24-bit id and its four flags), "date_time" (null when absent, else the fields the library decoded) and
  "data", a tree of one-key objects {type name: value} with the Blue Book type names, e.g.
  {"structure": [{"octet-string": "0100010800ff"}, {"double-long-unsigned": 123}]}. Octet strings are lower-case
  hex, bit-strings "0"/"1" text, float32/float64 the IEEE-754 bits as lower-case hex (exact, and the form gurux
  prints them in), date-time values an object of fields. "octet_string_date_times" lists, for every 12-byte
  octet-string in the data (in document order), how the library decodes it as a COSEM date-time (meters send
  time stamps that way). If the library fails on the data but parsed the header, "data_error" says why.
* get-request-normal: "apdu", the invoke id, "class_id", "obis" (dotted A.B.C.D.E.F), "attribute" (as the
  unsigned byte both libraries report) and "access" (null, or what the library decoded of the selective access).

Date-time field objects use the keys year, month, day, day_of_week, hour, minute, second, hundredths, deviation
(minutes, UTC = local + deviation, the Blue Book sign) and clock_status, but only those the library reports.
"""

import datetime
import json
import re
import struct
import sys
import traceback
import xml.etree.ElementTree as ElementTree
from importlib import metadata

from gurux_dlms import GXByteBuffer, GXDLMSClient, GXDLMSTranslator
from gurux_dlms.enums import DataType, DateTimeExtraInfo, DateTimeSkips, TranslatorOutputType
from gurux_dlms.internal._GXCommon import _GXCommon

from dlms_cosem import dlms_data
from dlms_cosem import time as dlms_time
from dlms_cosem.connection import XDlmsApduFactory
from dlms_cosem.cosem import selective_access
from dlms_cosem.protocol.xdlms import DataNotification, GetRequestNormal


def error_text(exc):
    return f"{type(exc).__name__}: {exc}"


def offset_minutes(value):
    """Blue Book deviation (UTC - local, in minutes) from a datetime's utcoffset, or None."""
    if value.tzinfo is None or value.utcoffset() is None:
        return None
    return -int(value.utcoffset().total_seconds() // 60)


# ----------------------------------------------------------------------------------------------- gurux-dlms

GURUX_TYPES = {
    "None": "null-data",
    "Array": "array",
    "Structure": "structure",
    "Boolean": "boolean",
    "BitString": "bit-string",
    "Int32": "double-long",
    "UInt32": "double-long-unsigned",
    "OctetString": "octet-string",
    "String": "visible-string",
    "StringUTF8": "utf8-string",
    "BCD": "bcd",
    "Int8": "integer",
    "Int16": "long",
    "UInt8": "unsigned",
    "UInt16": "long-unsigned",
    "Int64": "long64",
    "UInt64": "long64-unsigned",
    "Enum": "enum",
    "Float32": "float32",
    "Float64": "float64",
    "DateTime": "date-time",
    "Date": "date",
    "Time": "time",
}
GURUX_INTEGERS = {"double-long", "double-long-unsigned", "integer", "long", "unsigned", "long-unsigned",
                  "long64", "long64-unsigned", "enum", "bcd"}


def gurux_translator(strings_as_hex):
    translator = GXDLMSTranslator(TranslatorOutputType.SIMPLE_XML)
    translator.hex = False  # integers in decimal; gurux still prints floats and date-times as hex bytes
    translator.comments = False
    # SIMPLE_XML does not escape visible-string text ('<', '&', '"' break the XML), so strings are asked for as
    # hex. gurux-dlms 1.0.203 crashes on utf8-string in that mode (getUtfString uses the builtin `len`), so the
    # caller falls back to plain strings when it does.
    translator.showStringAsHex = strings_as_hex
    return translator


def gurux_xml(pdu):
    try:
        return gurux_translator(True).pduToXml(GXByteBuffer.hexToBytes(pdu.hex())), True
    except TypeError:
        return gurux_translator(False).pduToXml(GXByteBuffer.hexToBytes(pdu.hex())), False


def gurux_date_time(raw):
    """gurux's reading of a 12-byte COSEM date-time."""
    value = GXDLMSClient.changeType(bytearray(raw), DataType.DATETIME)
    skip = value.skip
    moment = value.value
    month = None if skip & DateTimeSkips.MONTH else moment.month
    if value.extra & DateTimeExtraInfo.DST_BEGIN:
        month = "dst-begin"
    elif value.extra & DateTimeExtraInfo.DST_END:
        month = "dst-end"
    day = None if skip & DateTimeSkips.DAY else moment.day
    if value.extra & DateTimeExtraInfo.LAST_DAY:
        day = "last"
    elif value.extra & DateTimeExtraInfo.LAST_DAY2:
        day = "second-last"
    return {
        "year": None if skip & DateTimeSkips.YEAR else moment.year,
        "month": month,
        "day": day,
        "day_of_week": None if skip & DateTimeSkips.DAY_OF_WEEK else value.dayOfWeek,
        "hour": None if skip & DateTimeSkips.HOUR else moment.hour,
        "minute": None if skip & DateTimeSkips.MINUTE else moment.minute,
        "second": None if skip & DateTimeSkips.SECOND else moment.second,
        "hundredths": None if skip & DateTimeSkips.MILLISECOND else moment.microsecond // 10000,
        "deviation": None if skip & DateTimeSkips.DEVITATION else offset_minutes(moment),
        "clock_status": int(value.status),
    }


def gurux_float_bits(text, width):
    if re.fullmatch(r"[0-9A-Fa-f]{%d}" % (2 * width), text):
        return text.lower()
    return struct.pack(">f" if width == 4 else ">d", float(text)).hex()


def gurux_data(element, strings_as_hex, date_times):
    kind = GURUX_TYPES.get(element.tag)
    if kind is None:
        raise ValueError(f"unexpected gurux data element <{element.tag}>")
    text = element.get("Value")
    if kind in ("array", "structure"):
        children = [gurux_data(child, strings_as_hex, date_times) for child in element]
        if int(element.get("Qty")) != len(children):
            raise ValueError(f"{kind} Qty {element.get('Qty')} but {len(children)} elements")
        return {kind: children}
    if kind == "null-data":
        return {kind: None}
    if kind == "boolean":
        return {kind: {"True": True, "False": False}[text]}
    if kind in GURUX_INTEGERS:
        return {kind: int(text)}
    if kind == "octet-string":
        raw = bytes.fromhex(text)
        if len(raw) == 12:
            try:
                date_times.append({"hex": raw.hex(), "fields": gurux_date_time(raw)})
            except Exception as exc:  # noqa: BLE001 - reported, not hidden
                date_times.append({"hex": raw.hex(), "error": error_text(exc)})
        return {kind: raw.hex()}
    if kind == "visible-string":
        return {kind: bytes.fromhex(text).decode("ascii") if strings_as_hex else text}
    if kind == "utf8-string":
        # gurux prints utf8-strings as spaced hex bytes.
        return {kind: bytes.fromhex(text.replace(" ", "")).decode("utf-8")}
    if kind == "bit-string":
        return {kind: text}
    if kind == "float32":
        return {kind: gurux_float_bits(text, 4)}
    if kind == "float64":
        return {kind: gurux_float_bits(text, 8)}
    if kind == "date-time":
        return {kind: gurux_date_time(bytes.fromhex(text))}
    # date and time: gurux prints their raw bytes.
    return {kind: text.replace(" ", "").lower()}


def parse_gurux(pdu):
    xml, strings_as_hex = gurux_xml(pdu)
    root = ElementTree.fromstring(xml)
    result = {"xml": xml}
    if root.tag == "DataNotification":
        result["apdu"] = "data-notification"
        result["long_invoke_id_and_priority"] = int(root.find("LongInvokeIdAndPriority").get("Value"))
        header = root.find("DateTime").get("Value").replace(" ", "")
        if header:
            raw = bytes.fromhex(header)
            result["date_time"] = dict(gurux_date_time(raw), hex=raw.hex())
        else:
            result["date_time"] = None
        values = list(root.find("NotificationBody").find("DataValue"))
        if len(values) != 1:
            raise ValueError(f"{len(values)} values in the notification body")
        date_times = []
        result["data"] = gurux_data(values[0], strings_as_hex, date_times)
        result["octet_string_date_times"] = date_times
    elif root.tag == "GetRequest" and root.find("GetRequestNormal") is not None:
        request = root.find("GetRequestNormal")
        descriptor = request.find("AttributeDescriptor")
        result["apdu"] = "get-request-normal"
        result["invoke_id_and_priority"] = int(request.find("InvokeIdAndPriority").get("Value"))
        result["class_id"] = int(descriptor.find("ClassId").get("Value"))
        result["obis"] = _GXCommon.toLogicalName(bytearray.fromhex(descriptor.find("InstanceId").get("Value")))
        result["attribute"] = int(descriptor.find("AttributeId").get("Value"))
        access = request.find("AccessSelection")
        if access is None:
            result["access"] = None
        else:
            parameters = list(access.find("AccessParameters"))
            result["access"] = {
                "selector": int(access.find("AccessSelector").get("Value")),
                "parameters": gurux_data(parameters[0], strings_as_hex, []),
            }
    else:
        result["apdu"] = root.tag
    return result


# ----------------------------------------------------------------------------------------------- dlms-cosem

DLMS_COSEM_TYPES = {
    dlms_data.NullData: "null-data",
    dlms_data.DataArray: "array",
    dlms_data.DataStructure: "structure",
    dlms_data.BooleanData: "boolean",
    dlms_data.DoubleLongData: "double-long",
    dlms_data.DoubleLongUnsignedData: "double-long-unsigned",
    dlms_data.OctetStringData: "octet-string",
    dlms_data.VisibleStringData: "visible-string",
    dlms_data.IntegerData: "integer",
    dlms_data.LongData: "long",
    dlms_data.UnsignedIntegerData: "unsigned",
    dlms_data.UnsignedLongData: "long-unsigned",
    dlms_data.Long64Data: "long64",
    dlms_data.UnsignedLong64Data: "long64-unsigned",
    dlms_data.EnumData: "enum",
    dlms_data.DateTimeData: "date-time",
    dlms_data.DateData: "date",
    dlms_data.TimeData: "time",
}


def dlms_cosem_clock_status(status):
    return {
        "invalid": status.invalid,
        "doubtful": status.doubtful,
        "different_base": status.different_base,
        "invalid_status": status.invalid_status,
        "daylight_saving_active": status.daylight_saving_active,
    }


def dlms_cosem_date_time(moment, status=None):
    """dlms-cosem's reading of a date-time: a datetime (no day of week) and, where it keeps it, a ClockStatus."""
    fields = {
        "year": moment.year,
        "month": moment.month,
        "day": moment.day,
        "hour": moment.hour,
        "minute": moment.minute,
        "second": moment.second,
        "hundredths": moment.microsecond // 10000,
        "deviation": offset_minutes(moment),
    }
    if status is not None:
        fields["clock_status"] = dlms_cosem_clock_status(status)
    return fields


def dlms_cosem_data(item, date_times):
    kind = DLMS_COSEM_TYPES.get(type(item))
    if kind is None:
        raise ValueError(f"unexpected dlms-cosem data class {type(item).__name__}")
    if kind in ("array", "structure"):
        return {kind: [dlms_cosem_data(child, date_times) for child in item.value]}
    if kind == "octet-string":
        raw = bytes(item.value)
        if len(raw) == 12:
            try:
                moment, status = dlms_time.datetime_from_bytes(raw)
                date_times.append({"hex": raw.hex(), "fields": dlms_cosem_date_time(moment, status)})
            except Exception as exc:  # noqa: BLE001 - reported, not hidden
                date_times.append({"hex": raw.hex(), "error": error_text(exc)})
        return {kind: raw.hex()}
    if kind == "date-time":
        moment, status = item.value
        return {kind: dlms_cosem_date_time(moment, status)}
    if kind == "date":
        value = item.value
        return {kind: {"year": value.year, "month": value.month, "day": value.day}}
    if kind == "time":
        value = item.value
        return {kind: {"hour": value.hour, "minute": value.minute, "second": value.second,
                       "hundredths": value.microsecond // 10000}}
    return {kind: item.to_python()}


def parse_dlms_cosem(pdu):
    apdu = XDlmsApduFactory.apdu_from_bytes(pdu)
    result = {}
    if isinstance(apdu, DataNotification):
        invoke = apdu.long_invoke_id_and_priority
        result["apdu"] = "data-notification"
        result["invoke_id"] = invoke.long_invoke_id
        result["prioritized"] = invoke.prioritized
        result["confirmed"] = invoke.confirmed
        result["self_descriptive"] = invoke.self_descriptive
        result["break_on_error"] = invoke.break_on_error
        # DataNotification.from_bytes keeps the header date-time as a datetime and drops its clock status.
        result["date_time"] = None if apdu.date_time is None else dlms_cosem_date_time(apdu.date_time)
        try:
            values = dlms_data.DlmsDataParser().parse(apdu.body)
            date_times = []
            result["data_count"] = len(values)
            result["data"] = dlms_cosem_data(values[0], date_times) if values else None
            result["octet_string_date_times"] = date_times
        except Exception as exc:  # noqa: BLE001 - the header is still worth comparing
            result["data_error"] = error_text(exc)
    elif isinstance(apdu, GetRequestNormal):
        invoke = apdu.invoke_id_and_priority
        attribute = apdu.cosem_attribute
        result["apdu"] = "get-request-normal"
        result["invoke_id"] = invoke.invoke_id
        result["confirmed"] = invoke.confirmed
        result["high_priority"] = invoke.high_priority
        result["class_id"] = int(attribute.interface)
        result["obis"] = attribute.instance.to_string(".")
        result["attribute"] = attribute.attribute
        access = apdu.access_selection
        if access is None:
            result["access"] = None
        elif isinstance(access, selective_access.RangeDescriptor):
            restricting = access.restricting_object
            result["access"] = {
                "selector": 1,
                "restricting_object": {
                    "class_id": int(restricting.cosem_attribute.interface),
                    "obis": restricting.cosem_attribute.instance.to_string("."),
                    "attribute": restricting.cosem_attribute.attribute,
                    "data_index": restricting.data_index,
                },
                # RangeDescriptor.from_bytes keeps from/to as datetimes and drops their clock status.
                "from": dlms_cosem_date_time(access.from_value),
                "to": dlms_cosem_date_time(access.to_value),
                "selected_values": access.selected_values,
            }
        elif isinstance(access, selective_access.EntryDescriptor):
            result["access"] = {"selector": 2, "from_entry": access.from_entry, "to_entry": access.to_entry,
                                "from_selected_value": access.from_selected_value,
                                "to_selected_value": access.to_selected_value}
        else:
            result["access"] = {"descriptor": type(access).__name__}
    else:
        result["apdu"] = type(apdu).__name__
    return result


# ------------------------------------------------------------------------------------------------------ main

def guarded(parse, pdu):
    try:
        return parse(pdu)
    except Exception as exc:  # noqa: BLE001 - one library failing must not hide the other's answer
        return {"error": error_text(exc), "traceback": traceback.format_exc(limit=-3)}


def main(arguments):
    texts = arguments or [line for line in sys.stdin.read().splitlines() if line.strip()]
    versions = {name: metadata.version(name) for name in ("gurux-dlms", "dlms-cosem")}
    for text in texts:
        pdu = bytes.fromhex("".join(text.split()))
        print(json.dumps({
            "hex": pdu.hex(),
            "versions": versions,
            "gurux": guarded(parse_gurux, pdu),
            "dlms_cosem": guarded(parse_dlms_cosem, pdu),
        }), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
