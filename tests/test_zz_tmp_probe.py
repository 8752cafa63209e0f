import sys
def test_a():
    print([k for k,v in sys.modules.items() if 'conftest' in k], sys.path[:3])
