import './base.css';
import './sweeps.css';
import './runview.css';
import './table.css';
import './runs.css';
import './compare.css';
import './jobdialog.css';
