"""The header and responsibilities readers on the layouts real documents use (issue: extraction that holds on
documents never seen), one test per failure class, and the committed subset of the extraction dev set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cchc_cli import ingest_text

GOLDEN = Path(__file__).parent / "data" / "extraction"


def one(text: str):
    records = ingest_text(text)
    assert records, "no record"
    return records[0]


def test_number_alone_on_its_line_and_date_wrapped_after_ngay() -> None:
    rec = one("ỦY BAN NHÂN\nDÂN\nTỈNH BẮC NINH\nCỘNG HÒA XÃ\nHỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
              "Số:\n2820/QĐ-UBND\nBắc Ninh, ngày\n19 tháng 11 năm 2025\nQUYẾT ĐỊNH\nVề việc phê duyệt kế hoạch\n"
              "Căn cứ Luật Tổ chức chính quyền địa phương;\n")
    assert (rec.doc_type, rec.number, rec.date, rec.place) == ("QĐ", "2820/QĐ-UBND", "2025-11-19", "Bắc Ninh")
    assert rec.issuer.name == "Ủy ban nhân dân tỉnh Bắc Ninh"


def test_place_then_comma_alone_and_the_date_on_the_next_line() -> None:
    rec = one("ỦY BAN NHÂN DÂN\nTỈNH VĨNH LONG\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
              "Số: 2682/QĐ-UBND\nVĩnh Long,\nngày 20 tháng 11 năm 2025\nQUYẾT ĐỊNH\nVề việc công bố danh mục\n")
    assert (rec.number, rec.date) == ("2682/QĐ-UBND", "2025-11-20")


def test_columns_one_after_the_other_with_the_number_above_the_motto() -> None:
    rec = one("BỘ LAO ĐỘNG - THƯƠNG BINH\nVÀ XÃ HỘI\nSố: 15/2024/TT-BLĐTBXH\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
              "Độc lập - Tự do - Hạnh phúc\nHà Nội, ngày 31 tháng 12 năm 2024\nTHÔNG TƯ\n"
              "Bãi bỏ một số văn bản quy phạm pháp luật\nCăn cứ Luật Ban hành văn bản quy phạm pháp luật;\n")
    assert (rec.doc_type, rec.number, rec.date) == ("TT", "15/2024/TT-BLĐTBXH", "2024-12-31")
    assert rec.title == "Bãi bỏ một số văn bản quy phạm pháp luật"


def test_a_decision_whose_number_carries_the_year() -> None:
    rec = one("ỦY BAN NHÂN DÂN          CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
              "TỈNH PHÚ THỌ          Độc lập - Tự do - Hạnh phúc\n"
              "Số: 212/2025/QĐ-UBND          Phú Thọ, ngày 18 tháng 11 năm 2025\n\nQUYẾT ĐỊNH\n"
              "Ban hành Quy chế phối hợp\n")
    assert (rec.doc_type, rec.number, rec.date) == ("QĐ", "212/2025/QĐ-UBND", "2025-11-18")


def test_a_cong_van_without_type_word() -> None:
    rec = one("ỦY BAN NHÂN DÂN\nTỈNH ĐỒNG NAI\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
              "Số: 4085/UBND-ĐT\nV/v triển khai kế hoạch cải cách hành chính\nnăm 2026\n"
              "Đồng Nai, ngày 05 tháng 12 năm 2025\nKính gửi: Các sở, ban, ngành tỉnh.\n"
              "Thực hiện Kế hoạch số 14/KH-UBND, Ủy ban nhân dân tỉnh đề nghị:\n")
    assert (rec.doc_type, rec.number, rec.date) == ("CV", "4085/UBND-ĐT", "2025-12-05")
    assert rec.title == "triển khai kế hoạch cải cách hành chính năm 2026"


BANNER = ("Bản dịch này thuộc quyền sở hữu của\nTHƯ VIỆN PHÁP LUẬT. Mọi hành vi sao chép là vi phạm.\n"
          "Click vào phần bôi vàng để xem chi tiết.\nĐang tải văn bản...\nSố hiệu:\n471/QĐ-UBND\n"
          "Loại văn bản:\nQuyết định\nNơi ban hành:\nTỉnh Bắc Ninh\nNgười ký:\nPhạm Văn Thịnh\n"
          "Ngày ban hành:\n28/11/2025\n")


def test_a_web_library_page_read_past_its_banner() -> None:
    rec = one(BANNER + "ỦY BAN NHÂN DÂN\nTỈNH BẮC NINH\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
              "Độc lập - Tự do - Hạnh phúc\nSố: 471/QĐ-UBND\nBắc Ninh, ngày 28 tháng 11 năm 2025\nQUYẾT ĐỊNH\n"
              "Về việc phê duyệt danh mục địa điểm\nCăn cứ Luật Tổ chức chính quyền địa phương;\n")
    assert (rec.doc_type, rec.number, rec.date) == ("QĐ", "471/QĐ-UBND", "2025-11-28")
    assert rec.issuer.name == "Ủy ban nhân dân tỉnh Bắc Ninh"
    assert not any("metadata" in w for w in rec.warnings)  # the header said it all


def test_the_metadata_block_fills_in_what_the_damaged_header_lost_and_says_so() -> None:
    rec = one(BANNER + "ỦY BAN NHÂN DÂN\nTỈNH BẮC NINH\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
              "Độc lập - Tự do - Hạnh phúc\nS6 47l/QD-UBNP\nBắc Ninh, ngáy 2B thảng l1 nãm 2O25\nQUYẾT ĐỊNH\n"
              "Về việc phê duyệt danh mục địa điểm\n")
    assert (rec.doc_type, rec.number, rec.date) == ("QĐ", "471/QĐ-UBND", "2025-11-28")
    assert any("line 6: number read from the web library's metadata block" in w for w in rec.warnings)
    assert any("date read from the web library's metadata block" in w for w in rec.warnings)


def test_numbered_paragraphs_of_to_chuc_thuc_hien_name_their_units() -> None:
    text = ("ỦY BAN NHÂN DÂN          CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
            "PHƯỜNG DƯƠNG KINH          Độc lập - Tự do - Hạnh phúc\n"
            "Số: 14/KH-UBND          Dương Kinh, ngày 01 tháng 8 năm 2025\n\nKẾ HOẠCH\n"
            "Cải cách hành chính năm 2026\n\nI. MỤC ĐÍCH, YÊU CẦU\n1. Mục đích\nNâng cao chất lượng phục vụ.\n"
            "II. TỔ CHỨC THỰC HIỆN\n"
            "1. Phòng Văn hóa - Xã hội phường: Chủ trì, theo dõi và tổng hợp kết quả thực hiện kế hoạch.\n"
            "2. Văn phòng HĐND và UBND phường: Phối hợp kiểm tra việc thực hiện.\n"
            "3. Tiếp tục rà soát các thủ tục hành chính hằng quý.\n"
            "- Công an phường: Bảo đảm an ninh trật tự tại Bộ phận một cửa.\n"
            "Giao Trung tâm Phục vụ hành chính công phường chủ trì tiếp nhận hồ sơ.\n")
    rec = one(text)
    units = [r.unit for r in rec.responsibilities]
    assert units == ["Phòng Văn hóa - Xã hội phường", "Văn phòng HĐND và UBND phường", "Công an phường",
                     "Trung tâm Phục vụ hành chính công phường"]
    assert rec.responsibilities[0].duties[0].startswith("Chủ trì, theo dõi")


def test_an_unreadable_number_is_null_with_a_warning_not_a_guess() -> None:
    rec = one("ỦY BAN NHÂN DÂN\nXÃ LAI KHÊ\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
              "S §§ ~~~ //\nLai Khê, ngày 4 tháng 9 năm 2025\nBÁO CÁO\nKết quả cải cách hành chính quý III\n")
    assert (rec.doc_type, rec.number, rec.date) == ("BC", None, "2025-09-04")
    assert any("no document number (Số: …) found in the header" in w for w in rec.warnings)


def test_text_with_no_header_gives_a_record_with_warnings_and_nothing_invented() -> None:
    rec = one("Tình hình thực hiện trong tháng có nhiều chuyển biến tích cực.\n"
              "Ngày 12 tháng 3 năm 2025 đã tổ chức hội nghị số 5 về chuyển đổi số.\n")
    assert (rec.doc_type, rec.number, rec.date) == (None, None, None)
    assert any("no document header" in w or "not read as an administrative document" in w for w in rec.warnings)


def test_a_web_page_that_is_no_document_gets_no_number_or_date() -> None:
    rec = one("Viện kiểm sát nhân dân tối cao\nWebsite\nwww\nLịch sử\n[sửa\nsửa mã nguồn]Được thành lập vào ngày 26 "
              "tháng 7 năm 1960, theo Lệnh số 20-LCT.\nTrụ sở: Số 44 Lý Thường Kiệt, Hà Nội\n")
    assert rec.number is None and rec.date is None and rec.doc_type is None


def test_a_file_holding_three_documents_gives_three_records() -> None:
    parts = []
    for k, (number, day) in enumerate([("11/QĐ-UBND", 3), ("12/KH-UBND", 4), ("13/BC-UBND", 5)]):
        kind = ("QUYẾT ĐỊNH", "KẾ HOẠCH", "BÁO CÁO")[k]
        parts.append(f"ỦY BAN NHÂN DÂN\nXÃ LAI KHÊ\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
                     f"Số: {number}\nLai Khê, ngày {day} tháng 9 năm 2025\n{kind}\nVề công tác năm 2025\n"
                     "Nội dung của văn bản.\nNơi nhận:\n- Lưu: VT.\n")
    records = ingest_text("\n".join(parts))
    assert [(r.doc_type, r.number, r.date) for r in records] == [
        ("QĐ", "11/QĐ-UBND", "2025-09-03"), ("KH", "12/KH-UBND", "2025-09-04"), ("BC", "13/BC-UBND", "2025-09-05")]


def test_heading_titles_lose_the_ocr_debris_after_them() -> None:
    rec = one("ỦY BAN NHÂN DÂN          CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
              "XÃ LAI KHÊ          Độc lập - Tự do - Hạnh phúc\n"
              "Số: 12/KH-UBND          Lai Khê, ngày 4 tháng 9 năm 2025\n\nKẾ HOẠCH\nCải cách hành chính năm 2026\n\n"
              "I. MỤC ĐÍCH, YÊU CẦU q -\n1. Mục đích\nNâng cao chất lượng phục vụ người dân.\n"
              "II. NHIỆM VỤ TRỌNG TÂM |\n1. Cải cách thể chế\nRà soát văn bản quy phạm pháp luật.\n")
    assert [(s.label, s.title) for s in rec.sections] == [("I", "MỤC ĐÍCH, YÊU CẦU"), ("II", "NHIỆM VỤ TRỌNG TÂM")]


def test_seed_001_appendix_lead_units_read_as_a_reader_reads_them(sample_records) -> None:
    """Where a task-table cell is still garbled after repair ("xạhôi", "Phụ‘lục vi hanh"), the lead unit shows
    the unit it was matched to, never the garbage."""
    from cchc_cli import load_resources

    units = load_resources().units
    plan = sample_records["001_1f3803ca4a2b50d8"][1]
    assert len(plan.tasks) == 30
    for task in plan.tasks:
        assert task.lead_unit is not None
        for part in task.lead_unit.split(", "):
            assert any(u.spelled_as(part) for u in units), (task.stt, task.lead_unit)


def _golden() -> list[dict]:
    path = GOLDEN / "truth.jsonl"
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line] if path.exists() else []


@pytest.mark.parametrize("row", _golden(), ids=lambda r: r["name"])
def test_golden_dev_set_pages(row: dict) -> None:
    """Pages of the extraction dev set (real documents, OCR'd by the round-trip tool), a few per layout."""
    records = ingest_text((GOLDEN / f"{row['name']}.txt").read_text("utf-8"))
    first = records[0] if records else None
    if row["layout"] == "resp":
        got = {r.unit for rec in records for r in rec.responsibilities}
        assert set(row["expect_units"]) <= got
        return
    assert first is not None
    assert (first.doc_type, first.number, first.date) == (row["doc_type"], row["number"], row["date"])
