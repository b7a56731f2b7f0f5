"""How the demo assets in hub/demo/assets/ were made (run once by a developer; the hub never runs
this).

    python -m hub.demo.make_assets  # needs Pillow, python-docx, the Noto CJK fonts and ffmpeg

The files are committed; `seed-demo` only copies (and, for PNG, redraws) them, so a hub needs no
ffmpeg.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

ASSETS = Path(__file__).resolve().parent / "assets"
FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
FONT_BOLD = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"

LESSON_LINES = [
    "有理数的加法（第一课时）",
    "",
    "一、学习目标",
    "1. 理解有理数加法的意义，掌握加法法则。",
    "2. 能用法则进行有理数的加法运算。",
    "二、情境引入",
    "银川冬季某日最低气温为 −8℃，中午升高了 11℃，",
    "中午的气温是多少？",
    "三、探究新知",
    "同号两数相加，取相同的符号，并把绝对值相加。",
    "异号两数相加，取绝对值较大的加数的符号，",
    "并用较大的绝对值减去较小的绝对值。",
    "四、课堂练习",
    "(1) (−3) + (−9)    (2) 15 + (−22)    (3) (−0.8) + 1.2",
    "",
    "宁夏数字教育资源共建共享联盟 · 示例资源",
]


def make_png(path: Path) -> None:
    """A 16:9 cover card; seed-demo draws each resource's title onto a copy of it."""
    from PIL import Image, ImageDraw, ImageFont  # Pillow is heavy; only seeding draws

    img = Image.new("RGB", (800, 450), (244, 247, 250))
    draw = ImageDraw.Draw(img)
    draw.rectangle([0, 0, 800, 70], fill=(22, 93, 145))
    draw.text(
        (30, 16), "宁夏教育资源公共服务平台", font=ImageFont.truetype(FONT_BOLD, 30), fill="white"
    )
    for x in range(0, 800, 40):  # a Yellow River wave along the bottom
        draw.arc([x, 390, x + 40, 430], 0, 180, fill=(196, 150, 60), width=4)
    draw.text(
        (30, 360), "示例素材 · Demo asset", font=ImageFont.truetype(FONT, 20), fill=(90, 90, 90)
    )
    img.save(path, optimize=True)


def make_pdf(path: Path) -> None:
    """One A4 page of a lesson plan, rendered with the Noto CJK font (an image PDF: no font
    embedding needed)."""
    from PIL import Image, ImageDraw, ImageFont  # Pillow is heavy; only seeding draws

    page = Image.new("L", (1240, 1754), 255)  # A4 at 150 dpi, greyscale keeps it small
    draw = ImageDraw.Draw(page)
    draw.text((120, 110), "教学设计", font=ImageFont.truetype(FONT_BOLD, 56), fill=0)
    body = ImageFont.truetype(FONT, 34)
    for i, line in enumerate(LESSON_LINES):
        draw.text((120, 230 + i * 62), line, font=body, fill=0)
    page.save(path, "PDF", resolution=150.0, title="有理数的加法 教学设计", author="EduHub demo")


def make_docx(path: Path) -> None:
    import docx  # python-docx: only the asset maker writes Word files
    from docx.oxml.ns import qn  # see above

    document = docx.Document()
    style = document.styles["Normal"]
    style.font.name = "Noto Sans CJK SC"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    document.core_properties.title = "有理数的加法 学案"
    document.core_properties.author = "EduHub demo"
    document.add_heading("有理数的加法 · 学案", level=1)
    for line in LESSON_LINES[2:]:
        if line:
            document.add_paragraph(line)
    table = document.add_table(rows=3, cols=2)
    for row, (a, b) in zip(
        table.rows, [("算式", "结果"), ("(−3)+(−9)", "−12"), ("15+(−22)", "−7")]
    ):
        row.cells[0].text, row.cells[1].text = a, b
    document.save(path)


def make_mp3(path: Path) -> None:
    """Eight seconds of a pentatonic phrase (a stand-in for a recorded reading), mono 32 kbit/s."""
    notes = (
        "sine=f=392:d=1[a];sine=f=440:d=1[b];sine=f=523:d=1[c];sine=f=587:d=1[d];"
        "sine=f=523:d=1[e];sine=f=440:d=1[f];sine=f=392:d=2[g];"
        "[a][b][c][d][e][f][g]concat=n=7:v=0:a=1,volume=0.4"
    )
    _ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "anullsrc=r=22050:cl=mono",
        "-filter_complex",
        notes,
        "-ac",
        "1",
        "-ar",
        "22050",
        "-b:a",
        "32k",
        "-codec:a",
        "libmp3lame",
        "-metadata",
        "title=示例音频 朗读",
        "-metadata",
        "artist=EduHub demo",
        "-t",
        "8",
        str(path),
    )


def make_mp4(path: Path) -> None:
    """Six seconds of Chinese title cards (drawn with Pillow) with a tone, H.264 + AAC, fast start
    for browsers."""
    from PIL import Image, ImageDraw, ImageFont  # Pillow is heavy; only seeding draws

    cards = ["微课：有理数的加法", "同号两数相加", "异号两数相加", "课堂小结"]
    with tempfile.TemporaryDirectory() as tmp:
        for i, text in enumerate(cards):
            img = Image.new("RGB", (320, 180), (22, 93, 145))
            ImageDraw.Draw(img).text(
                (20, 70), text, font=ImageFont.truetype(FONT_BOLD, 24), fill="white"
            )
            img.save(Path(tmp) / f"card{i}.png")
        _ffmpeg(
            "-framerate",
            "2/3",
            "-i",
            f"{tmp}/card%d.png",
            "-f",
            "lavfi",
            "-i",
            "sine=f=440:d=6",
            "-vf",
            "fps=10,format=yuv420p",
            "-c:v",
            "libx264",
            "-crf",
            "30",
            "-preset",
            "veryslow",
            "-c:a",
            "aac",
            "-b:a",
            "32k",
            "-ac",
            "1",
            "-t",
            "6",
            "-movflags",
            "+faststart",
            str(path),
        )


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-y", "-hide_banner", "-loglevel", "error", *args], check=True)


def main() -> None:
    ASSETS.mkdir(exist_ok=True)
    for name, make in [
        ("cover.png", make_png),
        ("lesson.pdf", make_pdf),
        ("worksheet.docx", make_docx),
        ("reading.mp3", make_mp3),
        ("microlesson.mp4", make_mp4),
    ]:
        make(ASSETS / name)
        print(f"{name}: {(ASSETS / name).stat().st_size} bytes")


if __name__ == "__main__":
    main()
