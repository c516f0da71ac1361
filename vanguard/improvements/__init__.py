"""修旧利废, 合理化建议 (降成本) and 技术党课/练兵/攻关: each org's registers, their workflow and metrics."""
