"""Quizzes: published from ``NN-slug.quiz.yml`` files beside each module; taken and graded here."""

from flask import Blueprint

bp = Blueprint("quizzes", __name__, template_folder="templates")
