"""The start screen of the Projects view while no project is open: open a sample, start from a template, or
import a project file."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ui.editor.document import new_project_data
from ui.editor.specs import workload_from_template

TEMPLATE_MODEL = "Llama 3.1 8B"
TEMPLATE_GPU = "H100 SXM"


@dataclass(frozen=True)
class ProjectTemplate:
    """A starting point: a project name and the workload template it begins with (None: empty)."""

    title: str
    blurb: str
    workload: str | None


PROJECT_TEMPLATES = (
    ProjectTemplate("Fine-tune a model (LoRA)", "adapters on one GPU, a few runs a month", "LoRA"),
    ProjectTemplate("Fine-tune on a budget (QLoRA)", "4-bit base model, one GPU", "QLoRA"),
    ProjectTemplate("Full fine-tune", "all weights, 8 GPUs, ZeRO-3", "Full fine-tune"),
    ProjectTemplate("Serve a model (inference)", "one GPU serving around the clock", "Inference"),
    ProjectTemplate("Pre-train a model", "64 GPUs, 20 bn tokens", "Pre-train"),
    ProjectTemplate("Blank project", "no workload yet: describe the demand yourself", None),
)


def project_from_template(template: ProjectTemplate) -> dict[str, Any]:
    data = new_project_data(template.title)
    if template.workload is not None:
        data["workloads"] = [workload_from_template(template.workload, TEMPLATE_MODEL, TEMPLATE_GPU, 1)]
    return data


class FirstRunPanel(QWidget):
    """Three ways to begin; the page connects the signals to its document actions."""

    sample_chosen = Signal(str)
    template_chosen = Signal(object)  # a project dict
    import_requested = Signal()

    def __init__(self, samples: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("first_run")
        heading = QLabel("<h2>Start a project</h2>")
        intro = QLabel(
            "Compare where to train and serve your models — cloud, your own servers or both — and what it "
            "costs month by month. Begin with one of these:"
        )
        intro.setWordWrap(True)

        self.samples = QListWidget()
        self.samples.setObjectName("first_run_samples")
        for name in samples:
            item = QListWidgetItem(name.replace("_", " ").capitalize())
            item.setData(Qt.ItemDataRole.UserRole, name)
            self.samples.addItem(item)
        self.samples.itemActivated.connect(self._sample_activated)
        self.samples.itemDoubleClicked.connect(self._sample_activated)
        self.open_sample_button = QPushButton("Open sample")
        self.open_sample_button.clicked.connect(self._open_selected_sample)
        sample_box = self._box("Open a sample", "A worked scenario with its options filled in.", self.samples)
        sample_box.layout().addWidget(self.open_sample_button)  # type: ignore[union-attr]

        self.templates = QListWidget()
        self.templates.setObjectName("first_run_templates")
        for template in PROJECT_TEMPLATES:
            item = QListWidgetItem(f"{template.title} — {template.blurb}")
            item.setData(Qt.ItemDataRole.UserRole, template.title)
            self.templates.addItem(item)
        self.templates.itemActivated.connect(self._template_activated)
        self.templates.itemDoubleClicked.connect(self._template_activated)
        self.start_button = QPushButton("Start from template")
        self.start_button.clicked.connect(self._start_selected_template)
        template_box = self._box(
            "Start from a template", "A new project with one workload; you add the options.", self.templates
        )
        template_box.layout().addWidget(self.start_button)  # type: ignore[union-attr]

        self.import_button = QPushButton("Import a project file…")
        self.import_button.clicked.connect(self.import_requested)
        import_note = QLabel("A project file (.json) exported by Compute Planner or written by hand.")
        import_note.setWordWrap(True)
        import_box = self._box("Import a project file", "", import_note)
        import_box.layout().addWidget(self.import_button)  # type: ignore[union-attr]

        holder = QWidget()
        grid = QGridLayout(holder)
        grid.addWidget(heading, 0, 0, 1, 2)
        grid.addWidget(intro, 1, 0, 1, 2)
        grid.addWidget(sample_box, 2, 0)
        grid.addWidget(template_box, 2, 1)
        grid.addWidget(import_box, 3, 0, 1, 2)
        grid.setRowStretch(4, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(holder)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        if self.samples.count():
            self.samples.setCurrentRow(0)
        self.templates.setCurrentRow(0)

    @staticmethod
    def _box(title: str, note: str, body: QWidget) -> QGroupBox:
        box = QGroupBox(title)
        layout = QVBoxLayout(box)
        if note:
            label = QLabel(note)
            label.setWordWrap(True)
            layout.addWidget(label)
        layout.addWidget(body)
        return box

    def _sample_activated(self, item: QListWidgetItem) -> None:
        self.sample_chosen.emit(str(item.data(Qt.ItemDataRole.UserRole)))

    def _open_selected_sample(self) -> None:
        item = self.samples.currentItem()
        if item is not None:
            self._sample_activated(item)

    def _template_activated(self, item: QListWidgetItem) -> None:
        title = str(item.data(Qt.ItemDataRole.UserRole))
        template = next(t for t in PROJECT_TEMPLATES if t.title == title)
        self.template_chosen.emit(project_from_template(template))

    def _start_selected_template(self) -> None:
        item = self.templates.currentItem()
        if item is not None:
            self._template_activated(item)
