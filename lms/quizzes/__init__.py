"""Quizzes: published from ``NN-slug.quiz.yml`` files beside each module."""
